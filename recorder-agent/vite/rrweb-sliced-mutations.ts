import MagicString from 'magic-string';
import type { Plugin } from 'vite';

/**
 * Lets the recorder serialize a big DOM change in slices of a few milliseconds instead of one
 * long task: a build-time change to rrweb's `MutationBuffer.emit` (rrweb 2.2.2, the version the
 * recorder pins), applied to the bundled copy only.
 *
 * Why: rrweb serializes every node a mutation batch added in one synchronous `emit`. A CRM list of
 * 300 rows re-rendered is ~4,500 nodes, 150–300 ms of main thread on a slow agent PC in one task,
 * and that task is what total blocking time counts (bench/recorder: most of the recorder's added
 * blocking time). rrweb offers no way to cut it from outside (the buffers are internal), and
 * Sentry and PostHog ship rrweb with changes of their own for the same reason.
 *
 * What changes, nothing else:
 * - `emit` stops taking nodes from its added-node set once it has serialized some and the slice's
 *   time is over (`budgetMs`, unless `drain`), emits what it has as an ordinary mutation event and
 *   keeps the rest pending (the added set, the moved nodes still in it, the dropped nodes and the
 *   removed-subtree cache its checks need) instead of clearing them; a node it serializes leaves
 *   the removed-subtree cache (it is back in the page), so its pending children are not taken for
 *   children of a removed node in a later slice. Every emitted add refers to a
 *   parent and next sibling the replayer already has, as before; a pending node removed meanwhile
 *   is skipped at its turn, as rrweb already does for a node added and removed between two emits.
 * - While the recorder slices (and its buffers are frozen), the observer callback only queues the
 *   mutation records; the next emit files them. rrweb walked every added subtree in that callback,
 *   a microtask at the end of the page's own, often already long, task.
 * - The removed nodes are forgotten (`removeNodeFromMap`) within the slice's time too; the rest
 *   waits, and nothing is serialized until they all are, as before.
 * - With `deferBody`, a full snapshot serializes the document with an empty body and queues the
 *   body's children in the document's buffer as added nodes: a big page's snapshot becomes one
 *   short task and slices, the content following the snapshot event at its time.
 * - rrweb's check for patched DOM prototypes looked for `Element.querySelector` as an accessor,
 *   so it always found Element patched and built a hidden iframe (~50 ms) for clean prototypes;
 *   querySelector and querySelectorAll are checked as the methods they are.
 * - The buffers with pending work are listed in `backlog`, so the recorder knows to run another
 *   slice in a task of its own.
 * - The settings are reachable as `record.duetMutationSlicing` (shape: `MutationSlicing` in
 *   src/screen.ts). With the defaults (`budgetMs:
 *   Infinity`, `deferBody: false`) rrweb behaves as its own build, the prototype check aside.
 *
 * Each edit is located by an exact piece of rrweb's code; when one is missing (another rrweb
 * version) the build fails, rather than silently shipping an unsliced recorder.
 */
interface Edit {
  what: string;
  find: string;
  replace: string;
  /** the same text is in several of rrweb's bundled copies of a module: edit each */
  everyCopy?: true;
}

const EDITS: Edit[] = [
  {
    what: 'DOM mutation records queued while the buffers are frozen, processed by the next emit',
    // rrweb files the records (walking every added subtree) in its observer callback, a microtask
    // at the end of the page's own task, which is often a long one already: while the recorder
    // slices, that work moves to the emit, in the recorder's own task.
    find: '\tprocessMutations = (mutations) => {\n\t\tmutations.forEach(this.processMutation);\n',
    replace:
      '\tprocessMutations = (mutations) => {\n' +
      '\t\tif (__duetMutationSlicing.budgetMs !== Infinity && this.frozen && !this.locked) {\n' +
      '\t\t\tthis.duetQueue ||= [];\n' +
      '\t\t\tfor (const m of mutations) this.duetQueue.push(m);\n' +
      '\t\t\t__duetMutationSlicing.backlog.add(this);\n' +
      '\t\t\t__duetMutationSlicing.onQueue?.();\n' +
      '\t\t\treturn;\n' +
      '\t\t}\n' +
      '\t\tmutations.forEach(this.processMutation);\n',
  },
  {
    what: 'the slice deadline, taken when an emit starts; queued records filed within it',
    // Only the recorder's own slices (inFlush) and drains serialize: the emit rrweb runs before
    // every user event (it unfreezes the buffers to keep mutations ahead of the event) runs inside
    // the page's own task, often a long one (a keystroke that re-renders a list), and its work
    // would add to that task; it leaves everything pending for the recorder's next slice instead.
    // The queued records are filed record by record within the slice's time too: filing walks
    // every added subtree (blocked-selector checks on each node), tens of ms for a big re-render.
    find: 'emit = () => {\n\t\tif (this.frozen || this.locked) return;\n',
    replace:
      'emit = () => {\n\t\tif (this.frozen || this.locked) return;\n' +
      '\t\tif (__duetMutationSlicing.budgetMs !== Infinity && !__duetMutationSlicing.inFlush && !__duetMutationSlicing.drain) {\n' +
      '\t\t\tif (this.duetQueue?.length || this.duetWalk?.length || this.addedSet.size || this.movedSet.size || this.mapRemoves.length || this.texts.length || this.attributes.length || this.removes.length) __duetMutationSlicing.backlog.add(this);\n' +
      '\t\t\treturn;\n' +
      '\t\t}\n' +
      '\t\tconst duetStopAt = __duetMutationSlicing.drain ? Infinity : performance.now() + __duetMutationSlicing.budgetMs;\n' +
      '\t\tif (this.duetQueue?.length || this.duetWalk?.length) {\n' +
      '\t\t\tconst queued = this.duetQueue ||= [];\n' +
      '\t\t\tconst walk = this.duetWalk ||= [];\n' +
      '\t\t\tlet filed = 0;\n' +
      '\t\t\tfor (let step = 0; ; step++) {\n' +
      '\t\t\t\tif ((step & 15) === 15 && performance.now() > duetStopAt) break;\n' +
      '\t\t\t\tif (walk.length) {\n\t\t\t\t\tconst [node, target] = walk.pop();\n\t\t\t\t\tthis.genAdds(node, target);\n\t\t\t\t} else if (filed < queued.length) this.processMutation(queued[filed++]);\n' +
      '\t\t\t\telse break;\n' +
      '\t\t\t}\n' +
      '\t\t\tqueued.splice(0, filed);\n' +
      '\t\t\tif (queued.length || walk.length) {\n\t\t\t\t__duetMutationSlicing.backlog.add(this);\n\t\t\t\treturn;\n\t\t\t}\n' +
      '\t\t}\n',
  },
  {
    what: 'an added subtree walked in steps: its children go on a stack the emit works through within the slice',
    // rrweb walks an added subtree recursively when it files the record (or queues a snapshot's
    // deferred body): 4,000 nodes of a re-rendered list, a blocked-selector check on each, tens of
    // ms at once. Taken in document order, as the recursion did.
    find: '\t\t\tsrc_default.childNodes(n).forEach((childN) => this.genAdds(childN));\n',
    replace:
      '\t\t\tif (__duetMutationSlicing.budgetMs !== Infinity) {\n' +
      '\t\t\t\tconst walk = this.duetWalk ||= [];\n' +
      '\t\t\t\tconst kids = src_default.childNodes(n);\n' +
      '\t\t\t\tfor (let i = kids.length - 1; i >= 0; i--) walk.push([kids[i], void 0]);\n' +
      '\t\t\t\t__duetMutationSlicing.backlog.add(this);\n' +
      '\t\t\t} else src_default.childNodes(n).forEach((childN) => this.genAdds(childN));\n',
  },
  {
    what: 'removed nodes forgotten in slices too (and without re-indexing the list for each one)',
    find: '\t\twhile (this.mapRemoves.length) this.mirror.removeNodeFromMap(this.mapRemoves.shift());\n',
    replace:
      '\t\tlet duetForgotten = 0;\n' +
      '\t\twhile (duetForgotten < this.mapRemoves.length && !(duetForgotten && performance.now() > duetStopAt)) this.mirror.removeNodeFromMap(this.mapRemoves[duetForgotten++]);\n' +
      '\t\tthis.mapRemoves.splice(0, duetForgotten);\n' +
      '\t\tif (this.mapRemoves.length) {\n\t\t\t__duetMutationSlicing.backlog.add(this);\n\t\t\treturn;\n\t\t}\n',
  },
  {
    what: 'the node loop stopping when the slice is over',
    find: '\t\twhile (this.addedSet.size) {\n',
    replace: '\t\twhile (this.addedSet.size && !(adds.length && performance.now() > duetStopAt)) {\n',
  },
  {
    what: 'a node serialized again is no longer inside a removed subtree',
    // rrweb drops a pending node whose parent is in a removed subtree unless a moved node covers
    // it in the same emit; across slices that cover is gone, so the re-added parent leaves the cache.
    find: '\t\t\t\taddedIds.add(sn.id);\n',
    replace: '\t\t\t\taddedIds.add(sn.id);\n\t\t\t\tthis.removesSubTreeCache.delete(n);\n',
  },
  {
    what: 'pending nodes kept for the next slice',
    find:
      '\t\tthis.addedSet = /* @__PURE__ */ new Set();\n' +
      '\t\tthis.movedSet = /* @__PURE__ */ new Set();\n' +
      '\t\tthis.droppedSet = /* @__PURE__ */ new Set();\n' +
      '\t\tthis.removesSubTreeCache = /* @__PURE__ */ new Set();\n' +
      '\t\tthis.movedMap = {};\n',
    replace:
      '\t\tif (this.addedSet.size) {\n' +
      '\t\t\tthis.movedSet = new Set([...this.movedSet].filter((m) => this.addedSet.has(m)));\n' +
      '\t\t\t__duetMutationSlicing.backlog.add(this);\n' +
      '\t\t} else {\n' +
      '\t\t\tthis.movedSet = /* @__PURE__ */ new Set();\n' +
      '\t\t\tthis.droppedSet = /* @__PURE__ */ new Set();\n' +
      '\t\t\tthis.removesSubTreeCache = /* @__PURE__ */ new Set();\n' +
      '\t\t\tthis.movedMap = {};\n' +
      '\t\t\t__duetMutationSlicing.backlog.delete(this);\n' +
      '\t\t}\n',
  },
  {
    what: 'an emit with nothing to send still clears the backlog entry',
    find: '\t\tif (!payload.texts.length && !payload.attributes.length && !payload.removes.length && !payload.adds.length) return;\n',
    replace:
      '\t\tif (!payload.texts.length && !payload.attributes.length && !payload.removes.length && !payload.adds.length) {\n' +
      '\t\t\tif (!this.addedSet.size) __duetMutationSlicing.backlog.delete(this);\n' +
      '\t\t\treturn;\n' +
      '\t\t}\n',
  },
  {
    what: 'a full snapshot that leaves the body’s children out (deferBody)',
    find: '\t\t\tfor (const childN of Array.from(src_default$2.childNodes(n))) {\n',
    replace: '\t\t\tif (n === __duetDeferChildrenOf) __duetDeferred.push(n);\n\t\t\telse for (const childN of Array.from(src_default$2.childNodes(n))) {\n',
  },
  {
    what: 'deferBody taken at each full snapshot',
    find: '\t\tconst node = snapshot(document, {\n',
    replace: '\t\t__duetDeferChildrenOf = __duetMutationSlicing.deferBody ? document.body : null;\n\t\tconst node = snapshot(document, {\n',
  },
  {
    what: 'deferBody over when the snapshot is',
    find: '\t\tif (!node) return console.warn("Failed to snapshot the document");\n',
    replace: '\t\t__duetDeferChildrenOf = null;\n\t\tif (!node) {\n\t\t\t__duetDeferred.length = 0;\n\t\t\treturn console.warn("Failed to snapshot the document");\n\t\t}\n',
  },
  {
    what: 'the deferred children queued as added nodes after a checkout’s snapshot event',
    find: '\t\tcanvasManager.unlock();\n\t\tmutationBuffers.forEach((buf) => buf.unlock());\n',
    replace: '\t\tcanvasManager.unlock();\n\t\t__duetEnqueueDeferred();\n\t\tmutationBuffers.forEach((buf) => buf.unlock());\n',
  },
  {
    what: 'the deferred children of the first snapshot queued once the document is observed',
    find: '\t\t\ttakeFullSnapshot$1();\n\t\t\thandlers.push(observe(document));\n',
    replace:
      '\t\t\tconst duetBuffersBefore = mutationBuffers.size;\n\t\t\ttakeFullSnapshot$1();\n' +
      '\t\t\tconst duetShadowBuffers = mutationBuffers.size - duetBuffersBefore;\n' +
      '\t\t\thandlers.push(observe(document));\n' +
      '\t\t\t__duetDocumentBuffer = [...mutationBuffers][duetBuffersBefore + duetShadowBuffers] ?? null;\n' +
      '\t\t\t__duetEnqueueDeferred();\n',
  },
  {
    what: 'nothing pending kept when a recording stops',
    find: '\t\t\tcanvasManager.reset();\n\t\t\trecording = false;\n',
    replace: '\t\t\tcanvasManager.reset();\n\t\t\t__duetMutationSlicing.backlog.clear();\n\t\t\t__duetDocumentBuffer = null;\n\t\t\t__duetDeferred.length = 0;\n\t\t\trecording = false;\n',
  },
  {
    what: 'Element’s methods checked as methods (rrweb checks querySelector as an accessor, so it always took Element for patched and built a hidden iframe, ~50 ms, to get a clean one)',
    find: '\t\t"shadowRoot",\n\t\t"querySelector",\n\t\t"querySelectorAll"\n\t],\n',
    replace: '\t\t"shadowRoot"\n\t],\n',
    everyCopy: true,
  },
  {
    what: 'Element’s methods in the method list',
    find: '\tShadowRoot: ["getSelection"],\n\tElement: [],\n',
    replace: '\tShadowRoot: ["getSelection"],\n\tElement: ["querySelector", "querySelectorAll"],\n',
    everyCopy: true,
  },
  {
    what: 'no observer for the shadow root of a blocked element',
    // rrweb never serializes inside a blocked element, but observed its shadow root anyway (its
    // host is serialized as a placeholder first): every change in it (the recorder's own badge,
    // rr-block, updates its text) was filed for nothing, and one observed shadow root makes rrweb
    // walk every removed subtree looking for more (`removeShadowRootsIn`).
    find: '\taddShadowRoot(shadowRoot, doc) {\n\t\tif (!isNativeShadowDom(shadowRoot)) return;\n',
    replace:
      '\taddShadowRoot(shadowRoot, doc) {\n\t\tif (!isNativeShadowDom(shadowRoot)) return;\n' +
      '\t\tif (isBlocked(src_default.host(shadowRoot), this.bypassOptions.blockClass, this.bypassOptions.blockSelector, true)) return;\n',
  },
  {
    what: 'the settings, next to the record function',
    find: 'record.mirror = mirror;\n',
    replace: 'record.mirror = mirror;\nrecord.duetMutationSlicing = __duetMutationSlicing;\n',
  },
];

/**
 * Module state the edits use. `deferBody`: a full snapshot serializes the document with an empty
 * body, and the body's children are queued in the document's mutation buffer as added nodes (as
 * if just inserted), so they go out in slices as mutation events carrying the snapshot's time: a
 * big page's snapshot, 100–300 ms in one task on a slow PC, becomes one short task and slices.
 */
const PRELUDE = `var __duetMutationSlicing = { budgetMs: Infinity, drain: false, inFlush: false, deferBody: false, backlog: /* @__PURE__ */ new Set(), onQueue: null };
var __duetDeferChildrenOf = null;
var __duetDeferred = [];
var __duetDocumentBuffer = null;
function __duetEnqueueDeferred() {
\t// the first snapshot is taken before the document is observed: its body waits for the buffer
\tconst buffer = __duetDocumentBuffer;
\tif (!buffer) return;
\t// walked in the recorder's slices (the body of a big page is thousands of nodes)
\tconst walk = buffer.duetWalk ||= [];
\tfor (const parent of __duetDeferred.splice(0)) for (let i = parent.childNodes.length - 1; i >= 0; i--) walk.push([parent.childNodes[i], parent]);
\t__duetMutationSlicing.backlog.add(buffer);
}
`;

/**
 * rrweb's ESM build with the edits above (and a source map, so profiles of the bundle still name
 * rrweb's functions); throws when an edit does not apply exactly once.
 */
export function sliceRrwebMutations(code: string, id = 'rrweb.js'): { code: string; map: ReturnType<MagicString['generateMap']> } {
  const s = new MagicString(code);
  for (const edit of EDITS) {
    const at = code.indexOf(edit.find);
    if (at < 0 || (!edit.everyCopy && code.indexOf(edit.find, at + 1) >= 0)) {
      throw new Error(`rrweb-sliced-mutations: cannot apply "${edit.what}" (${at < 0 ? 'not found' : 'found twice'}); is rrweb still 2.2.2? Update recorder-agent/vite/rrweb-sliced-mutations.ts for the new version.`);
    }
    for (let i = at; i >= 0; i = code.indexOf(edit.find, i + edit.find.length)) s.overwrite(i, i + edit.find.length, edit.replace);
  }
  s.prepend(PRELUDE);
  return { code: s.toString(), map: s.generateMap({ source: id, includeContent: true, hires: true }) };
}

/** The Vite plugin: rrweb's ESM entry (`rrweb/dist/rrweb.js`) goes through `sliceRrwebMutations`. */
export function rrwebSlicedMutations(): Plugin {
  let applied = false;
  return {
    name: 'duet-rrweb-sliced-mutations',
    transform(code, id) {
      if (!/[\\/]node_modules[\\/]rrweb[\\/]dist[\\/]rrweb\.js$/.test(id.split('?')[0]!)) return null;
      applied = true;
      return sliceRrwebMutations(code, id);
    },
    buildEnd(error) {
      if (!error && !applied) this.error('rrweb-sliced-mutations: rrweb/dist/rrweb.js was not in the bundle; the recorder would ship unsliced');
    },
  };
}
