/** Prints the parts that ran as aligned tables, castgate beside its baseline. */
export function printResults(results: Record<string, unknown>, only: readonly string[]): void {
  console.log(`castgate bench · ${String(results.machine)} · node ${String(results.node)} · ${String(results.date)}\n`);
  const rows: string[][] = [['part', 'castgate', 'baseline', 'ratio', 'notes']];
  const get = (part: string) => results[part] as Record<string, Record<string, number | string> | number | undefined>;
  const fmt = (n: unknown) => (typeof n === 'number' ? n.toLocaleString('en-US') : String(n));
  const floorNote = (floor: unknown) => {
    const f = floor as { opsPerSec?: number; ratio?: number } | undefined;
    return f?.opsPerSec === undefined ? 'no floor measured' : `hand-written floor ${fmt(f.opsPerSec)}/s, ratio ${fmt(f.ratio)}`;
  };
  if (only.includes('memory')) {
    const m = get('memory');
    const c = m.castgate as Record<string, number>;
    const b = m.baseline as Record<string, number | string>;
    rows.push(['memory (decisions/s)', fmt(c.opsPerSec), `${fmt(b.opsPerSec)} ${String(b.name)}`, fmt(m.ratio), `p50 ${c.p50Us} µs, p99 ${c.p99Us} µs; ${floorNote(m.floor)}`]);
  }
  if (only.includes('memoryRepeated')) {
    const m = get('memoryRepeated');
    const c = m.castgate as Record<string, number>;
    const b = m.baseline as Record<string, number | string>;
    rows.push(['memoryRepeated (decisions/s)', fmt(c.opsPerSec), `${fmt(b.opsPerSec)} ${String(b.name)}`, fmt(m.ratio), `65,536 clients cycled, p50 ${c.p50Us} µs; ${floorNote(m.floor)}`]);
  }
  if (only.includes('redis')) {
    const r = get('redis');
    const c = r.castgate as Record<string, number>;
    const b = r.baseline as Record<string, number | string>;
    rows.push(['redis (decisions/s)', fmt(c.opsPerSec), `${fmt(b.opsPerSec)} ${String(b.name)}`, fmt(r.ratio), `${fmt(r.commandsPerDecision)} round trips (scripts) per decision, ${fmt(r.commandsInsideScriptsPerDecision)} commands inside them`]);
  }
  if (only.includes('postgres')) {
    const p = get('postgres');
    const c = p.castgate as Record<string, number>;
    rows.push(['postgres (decisions/s)', fmt(c.opsPerSec), '', '', `${fmt(p.roundTripsPerDecision)} round trips (statements) per decision, ${fmt(p.client)}`]);
  }
  for (const [part, label] of [['http', 'http, Express (requests/s)'], ['httpFastify', 'http, Fastify (requests/s)'], ['httpHono', 'http, fetch on Hono (requests/s)']] as const) {
    if (!only.includes(part)) continue;
    const h = get(part);
    const c = h.castgate as Record<string, number>;
    const b = h.baseline as Record<string, number | string>;
    const f = h.floor as { reqPerSec?: number; ratio?: number } | undefined;
    const note = f?.reqPerSec === undefined ? '' : `adapter with a hand-written floor for the engine ${fmt(f.reqPerSec)}/s, ratio ${fmt(f.ratio)}`;
    rows.push([label, fmt(c.reqPerSec), `${fmt(b.reqPerSec)} ${String(b.name)}`, fmt(h.ratio), note]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i]!)).join('  '));
  if (only.includes('regex')) {
    const r = results.regex as { re2: [number, number][]; re2js: [number, number][]; regexp: [number, number][] };
    console.log('\nregex (a*n + "!" against (a+)+$), ms:');
    console.log(`  RE2    ${r.re2.map(([n, ms]) => `${n}:${ms}`).join('  ')}`);
    console.log(`  re2js  ${r.re2js.map(([n, ms]) => `${n}:${ms}`).join('  ')}`);
    console.log(`  RegExp ${r.regexp.map(([n, ms]) => `${n}:${ms}`).join('  ')}`);
  }
  if (only.includes('memoryStore')) {
    const s = results.memoryStore as Record<string, number>;
    console.log(
      `\nmemory store: ${fmt(s.addresses)} addresses, key cap ${fmt(s.keyCap)}: keys at peak ${fmt(s.keysAtPeak)}, ` +
        `heap ${mb(s.heapBeforeBytes)} → peak ${mb(s.peakHeapBytes)} (retained ${mb(s.retainedAtPeakBytes)}) → after prune ${mb(s.heapAfterPruneBytes)} (keys left ${fmt(s.keysAfterPrune)})`,
    );
  }
}

function mb(bytes: number | undefined): string {
  return `${((bytes ?? 0) / 1_048_576).toFixed(1)} MB`;
}
