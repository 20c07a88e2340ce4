// The project's demo preference data: deterministic TRL pairs with a planted preference degree.
// The chosen response states k key facts; the rejected one says a vague line of about the same length in place of
// m of them (degree = m/k), so lengths are balanced and only content tells the two apart.
import { SeededRandom } from '../random';

export interface DemoPair {
  prompt: string;
  chosen: string;
  rejected: string;
  /** Share of the chosen response's key facts missing from the rejected one, in (0, 1]. */
  degree: number;
  /** The fact phrases of the chosen response, and those the rejected one lacks. */
  facts: string[];
  missing: string[];
}

export interface DemoOptions {
  count: number;
  seed: number;
}

interface Topic {
  /** Fills "How do I {task}?" and similar questions. */
  task: string;
  /** Multi-word content phrases with no stopwords inside, so RAKE reads each as one candidate. */
  facts: string[];
}

const TOPICS: Topic[] = [
  { task: 'grow tomatoes', facts: ['full sun exposure', 'deep weekly watering', 'rich compost soil', 'sturdy wooden stakes', 'regular pruning cuts', 'thick straw mulch', 'calcium rich fertilizer', 'warm night temperatures'] },
  { task: 'brew good coffee', facts: ['freshly ground beans', 'filtered soft water', 'precise kitchen scale', 'medium coarse grind', 'clean paper filters', 'slow circular pour', 'short bloom phase', 'airtight storage jar'] },
  { task: 'train for a marathon', facts: ['gradual mileage increase', 'weekly long runs', 'easy recovery days', 'proper running shoes', 'steady carbohydrate intake', 'regular strength training', 'tapering final weeks', 'consistent sleep schedule'] },
  { task: 'care for a cat', facts: ['fresh drinking water', 'clean litter box', 'yearly vet checkups', 'high protein food', 'scratching post access', 'daily play sessions', 'gentle brushing routine', 'quiet hiding places'] },
  { task: 'save money', facts: ['monthly budget plan', 'automatic savings transfers', 'emergency cash fund', 'cheaper grocery brands', 'cancelled unused subscriptions', 'home cooked meals', 'credit card payoff', 'price comparison apps'] },
  { task: 'learn guitar', facts: ['daily short practice', 'basic open chords', 'steady metronome timing', 'light gauge strings', 'proper finger posture', 'simple strumming patterns', 'slow song tutorials', 'regular tuning checks'] },
  { task: 'bake bread', facts: ['strong bread flour', 'active dry yeast', 'warm proofing spot', 'long slow rise', 'hot baking stone', 'steam filled oven', 'accurate dough temperature', 'gentle shaping technique'] },
  { task: 'keep bees', facts: ['protective veil suit', 'sunny hive location', 'nearby water source', 'regular hive inspections', 'mite treatment plan', 'spare honey stores', 'calm smoker handling', 'local beekeeping club'] },
  { task: 'fix a flat tire', facts: ['tire lever pair', 'spare rubber tube', 'portable hand pump', 'careful puncture search', 'patch repair kit', 'correct tire pressure', 'valve stem alignment', 'smooth rim tape'] },
  { task: 'study for exams', facts: ['spaced repetition cards', 'quiet study space', 'past exam papers', 'short focused sessions', 'active recall practice', 'regular review schedule', 'group study partners', 'healthy sleep routine'] },
  { task: 'camp in the rain', facts: ['waterproof tent fly', 'raised sleeping pad', 'quick drying clothes', 'sealed seam tape', 'sheltered camp site', 'dry fire starters', 'spare wool socks', 'sturdy ground tarp'] },
  { task: 'paint a room', facts: ['painter masking tape', 'light wall primer', 'angled sash brush', 'thick roller cover', 'drop cloth protection', 'thin smooth coats', 'good room ventilation', 'careful edge cutting'] },
];

const QUESTIONS = ['How do I {task}?', 'What should I know to {task}?', 'Any tips on how to {task}?', 'I want to {task}. Where do I start?'];
// Openers, closers and vague lines use stopwords only: they carry no key content of their own.
const OPENERS = ['Here is what you need.', 'Sure, here it is.', 'Okay, let us see.', 'Well, I think so.'];
// Each frame puts a stopword right before the fact and punctuation after it, so RAKE reads the
// fact as one candidate phrase of its own.
const FRAMES = ['It is all about {fact}.', 'You should have {fact}.', 'Then there is {fact}.', 'Do it with {fact}.', 'It is best to have {fact}.', 'Above all, there is {fact}.'];
// What the rejected response says in place of a missing fact: vague lines of stopwords only (no key content for
// RAKE), as long as a fact sentence on average (27-43 vs 27-50 chars, both 36.7 on average), so a missing fact
// does not make the rejected response shorter and length does not give the preference away.
const VAGUE = [
  'You can do it your own way.', 'That one is not for everyone.',
  'I am not sure about that one.', 'Maybe it will, maybe it will not.', 'You will see what I mean by that.',
  'Some say so, others say otherwise.', 'Then again, it could go either way.', 'Do what you can and see how it goes.',
  'You will know it when you get there.', 'Just do whatever seems right to you.', 'It is up to you, as it has always been.',
  'It is not always the same for all of us.', 'Some do it one way, others do it another.',
  'There is no one right way to go about it.', 'There is more to it than that, of course.',
  'There is not much more I can say about it.', 'Some of it is up to you, some of it is not.',
  'It will be okay if you take it as it comes.', 'It could be this or that, who can say.',
];
const CLOSERS = ['That is all.', 'I think that is it.', 'That should do it.', ''];

function pick<T>(rng: SeededRandom, items: readonly T[]): T {
  return items[rng.int(items.length)];
}

function fill(template: string, key: string, value: string): string {
  return template.replace(`{${key}}`, value);
}

function joinSentences(sentences: string[]): string {
  return sentences.filter((s) => s !== '').join(' ');
}

/** One pair: k facts in the chosen response, m ≥ 1 of them missing from the rejected one. */
function demoPair(rng: SeededRandom): DemoPair {
  const topic = pick(rng, TOPICS);
  const k = 5 + rng.int(3);
  const facts = rng.sample(topic.facts.length, k).map((i) => topic.facts[i]);
  const m = 1 + rng.int(k);
  const missing = new Set(rng.sample(k, m));
  const opener = pick(rng, OPENERS);
  const closer = pick(rng, CLOSERS);
  const frames = facts.map(() => pick(rng, FRAMES));
  const chosen = [opener, ...facts.map((f, i) => fill(frames[i], 'fact', f)), closer];
  const rejected = [opener];
  // Every missing fact becomes a vague line in its place (each line said once per response): rejected has as
  // many sentences as chosen and about its length, and differs in content only.
  const vague = rng.shuffled(VAGUE);
  facts.forEach((f, i) => rejected.push(missing.has(i) ? vague.pop()! : fill(frames[i], 'fact', f)));
  rejected.push(closer);
  const first = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
  return {
    prompt: first(fill(pick(rng, QUESTIONS), 'task', topic.task)),
    chosen: joinSentences(chosen),
    rejected: joinSentences(rejected),
    degree: m / k,
    facts,
    missing: facts.filter((_, i) => missing.has(i)),
  };
}

/** `count` pairs, the same for the same seed. */
export function generateDemoPairs(options: DemoOptions): DemoPair[] {
  const rng = new SeededRandom(options.seed);
  return Array.from({ length: options.count }, () => demoPair(rng));
}
