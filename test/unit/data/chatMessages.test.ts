// HH transcripts as chat messages, and which pairs have prompt messages at all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hhTranscriptMessages, parsePreferenceLine, promptMessages } from '../../../src/core/data';

test('an HH prompt becomes alternating user/assistant messages without the open assistant turn', () => {
  const prompt = '\n\nHuman: How do I bake bread?\n\nAssistant: With flour.\n\nHuman:  And water?\n\nAssistant:';
  assert.deepEqual(hhTranscriptMessages(prompt), [
    { role: 'user', content: 'How do I bake bread?' },
    { role: 'assistant', content: 'With flour.' },
    { role: 'user', content: 'And water?' },
  ]);
  assert.deepEqual(hhTranscriptMessages('Be brief.\n\nHuman: hi\n\nAssistant:'), [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'hi' },
  ]);
});

test('promptMessages: HH and conversational pairs have them, plain TRL pairs do not', () => {
  const hh = parsePreferenceLine(JSON.stringify({ chosen: '\n\nHuman: Hi\n\nAssistant: Hello', rejected: '\n\nHuman: Hi\n\nAssistant: Go away' }), 1);
  const conv = parsePreferenceLine(JSON.stringify({
    prompt: [{ role: 'user', content: 'Hi' }], chosen: [{ role: 'assistant', content: 'Hello' }], rejected: [{ role: 'assistant', content: 'No' }],
  }), 1);
  const plain = parsePreferenceLine(JSON.stringify({ prompt: 'Hi', chosen: ' Hello', rejected: ' No' }), 1);
  for (const p of [hh, conv, plain]) assert.ok(p && 'chosen' in p, JSON.stringify(p));
  assert.deepEqual(promptMessages(hh as never), [{ role: 'user', content: 'Hi' }]);
  assert.deepEqual(promptMessages(conv as never), [{ role: 'user', content: 'Hi' }]);
  assert.equal(promptMessages(plain as never), null);
});
