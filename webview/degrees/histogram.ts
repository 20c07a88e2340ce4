// A small SVG histogram (no chart library needed for bars): counts per equal-width bin, axis labels at the ends.

export interface Histogram {
  min: number;
  max: number;
  counts: number[];
}

export function histogram(values: number[], bins: number, min: number, max: number): Histogram {
  const counts = new Array<number>(bins).fill(0);
  const width = (max - min) / bins;
  for (const v of values) {
    const i = Math.min(bins - 1, Math.max(0, Math.floor((v - min) / width)));
    counts[i] += 1;
  }
  return { min, max, counts };
}

const NS = 'http://www.w3.org/2000/svg';

export function histogramSvg(h: Histogram, color: string): SVGSVGElement {
  const W = 360;
  const H = 140;
  const pad = { l: 36, r: 8, t: 8, b: 22 };
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.setAttribute('class', 'histogram');
  const peak = Math.max(1, ...h.counts);
  const bw = (W - pad.l - pad.r) / h.counts.length;
  const text = (x: number, y: number, s: string, anchor: string) => {
    const t = document.createElementNS(NS, 'text');
    t.setAttribute('x', String(x));
    t.setAttribute('y', String(y));
    t.setAttribute('text-anchor', anchor);
    t.textContent = s;
    svg.append(t);
  };
  h.counts.forEach((c, i) => {
    const bh = ((H - pad.t - pad.b) * c) / peak;
    const r = document.createElementNS(NS, 'rect');
    r.setAttribute('x', String(pad.l + i * bw + 1));
    r.setAttribute('y', String(H - pad.b - bh));
    r.setAttribute('width', String(Math.max(1, bw - 2)));
    r.setAttribute('height', String(bh));
    r.style.fill = color; // CSSOM, not a style attribute: the CSP blocks inline style attributes
    const lo = h.min + ((h.max - h.min) * i) / h.counts.length;
    const title = document.createElementNS(NS, 'title');
    title.textContent = `[${lo.toFixed(2)}, ${(lo + (h.max - h.min) / h.counts.length).toFixed(2)}): ${c}`;
    r.append(title);
    svg.append(r);
  });
  const axis = document.createElementNS(NS, 'line');
  axis.setAttribute('x1', String(pad.l));
  axis.setAttribute('x2', String(W - pad.r));
  axis.setAttribute('y1', String(H - pad.b));
  axis.setAttribute('y2', String(H - pad.b));
  axis.setAttribute('class', 'axis');
  svg.append(axis);
  text(pad.l, H - 6, h.min.toFixed(2), 'start');
  text((pad.l + W - pad.r) / 2, H - 6, ((h.min + h.max) / 2).toFixed(2), 'middle');
  text(W - pad.r, H - 6, h.max.toFixed(2), 'end');
  text(pad.l - 4, pad.t + 10, String(peak), 'end');
  text(pad.l - 4, H - pad.b, '0', 'end');
  return svg;
}
