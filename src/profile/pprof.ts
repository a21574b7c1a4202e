// A profile document as pprof's profile.proto, gzipped: the format go tool pprof, speedscope, Pyroscope and Parca
// read. Sample values: inuse_space (bytes at the peak) always, and the profiler's count where it has one.
import { gzipSync } from 'node:zlib';
import { Function as PprofFunction, Line, Location, Profile, Sample, StringTable, ValueType } from 'pprof-format';
import type { Frame, ProfileDocument } from '../document/profile.js';

/** What each profiler's allocation count is, in pprof's vocabulary. */
const COUNT_TYPE: Record<ProfileDocument['profiler'], string | null> = {
  massif: null,
  heaptrack: 'alloc_objects', // calls to malloc & co. over the whole run, from this stack
  v8: 'samples', // sampling heap profiler samples of objects live at the view's moment
  python: 'inuse_objects', // blocks live at the snapshot
};

/** Encodes the document's main view (its stacks) as a gzipped profile.proto. */
export function toPprof(doc: ProfileDocument): Buffer {
  const strings = new StringTable();
  const functions = new Map<string, PprofFunction>();
  const locations = new Map<string, Location>();
  const locationOf = (f: Frame): number => {
    const fnKey = `${f.function}\0${f.file ?? ''}`;
    let fn = functions.get(fnKey);
    if (!fn) {
      fn = new PprofFunction({
        id: functions.size + 1,
        name: strings.dedup(f.function),
        systemName: strings.dedup(f.function),
        filename: strings.dedup(f.file ?? ''),
      });
      functions.set(fnKey, fn);
    }
    const locKey = `${fnKey}\0${f.line ?? 0}`;
    let loc = locations.get(locKey);
    if (!loc) {
      loc = new Location({ id: locations.size + 1, line: [new Line({ functionId: fn.id, line: f.line ?? 0 })] });
      locations.set(locKey, loc);
    }
    return Number(loc.id);
  };
  const countType = COUNT_TYPE[doc.profiler];
  const counted = countType !== null && doc.stacks.some((s) => s.allocations !== null);
  const sampleType = [
    ...(counted ? [new ValueType({ type: strings.dedup(countType), unit: strings.dedup('count') })] : []),
    new ValueType({ type: strings.dedup('inuse_space'), unit: strings.dedup('bytes') }),
  ];
  const sample = doc.stacks
    .filter((s) => s.peakBytes > 0 || (s.allocations ?? 0) > 0)
    .map(
      (s) =>
        new Sample({
          // pprof puts the leaf first.
          locationId: [...s.frames].reverse().map(locationOf),
          value: [...(counted ? [s.allocations ?? 0] : []), s.peakBytes],
        }),
    );
  const comment = [`membench ${doc.tool.version}, ${doc.profiler}: ${doc.measures}`, ...(doc.coverage ? [doc.coverage.sentence] : [])].map(
    (c) => strings.dedup(c),
  );
  const profile = new Profile({
    sampleType,
    sample,
    location: [...locations.values()],
    function: [...functions.values()],
    stringTable: strings,
    comment,
    defaultSampleType: strings.dedup('inuse_space'),
  });
  return gzipSync(profile.encode());
}
