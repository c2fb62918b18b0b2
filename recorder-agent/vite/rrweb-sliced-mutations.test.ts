import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sliceRrwebMutations } from './rrweb-sliced-mutations.js';

// The ESM build the recorder bundles (next to the CommonJS entry; not in rrweb's exports map).
const rrwebEsm = path.join(path.dirname(createRequire(import.meta.url).resolve('rrweb')), 'rrweb.js');
const original = readFileSync(rrwebEsm, 'utf8');

describe('rrweb-sliced-mutations: the build-time change to rrweb’s MutationBuffer.emit', () => {
  it('applies to the installed rrweb and adds exactly the slicing it documents', () => {
    const { code, map } = sliceRrwebMutations(original, rrwebEsm);
    expect(code.startsWith('var __duetMutationSlicing = { budgetMs: Infinity, drain: false')).toBe(true);
    expect(code).toContain('while (this.addedSet.size && !(adds.length && performance.now() > duetStopAt)) {');
    expect(code).toContain('record.duetMutationSlicing = __duetMutationSlicing;');
    expect(code).toContain('this.removesSubTreeCache.delete(n);');
    // deferBody: the snapshot skips the body's children, which are queued in the document's buffer
    expect(code).toContain('if (n === __duetDeferChildrenOf) __duetDeferred.push(n);');
    expect(code).toContain('__duetDeferChildrenOf = __duetMutationSlicing.deferBody ? document.body : null;');
    expect(code.match(/__duetEnqueueDeferred\(\);/g)).toHaveLength(2);
    // records queued while frozen and filed by the emit; removals forgotten within the slice
    expect(code).toContain('for (const m of mutations) this.duetQueue.push(m);');
    // filed within the slice: records one by one, their added subtrees walked node by node
    expect(code).toContain('if ((step & 15) === 15 && performance.now() > duetStopAt) break;');
    expect(code).toContain('for (let i = kids.length - 1; i >= 0; i--) walk.push([kids[i], void 0]);');
    expect(code).toContain('} else src_default.childNodes(n).forEach((childN) => this.genAdds(childN));');
    expect(code).toContain('__duetMutationSlicing.onQueue?.();');
    // the emit rrweb runs before a user event (in the page's task) leaves the work to a slice
    expect(code).toContain('if (__duetMutationSlicing.budgetMs !== Infinity && !__duetMutationSlicing.inFlush && !__duetMutationSlicing.drain) {');
    expect(code).not.toContain('this.mapRemoves.shift()');
    // a blocked element's shadow root (the recorder's badge) is not observed
    expect(code).toContain('if (isBlocked(src_default.host(shadowRoot), this.bypassOptions.blockClass, this.bypassOptions.blockSelector, true)) return;');
    // every bundled copy of rrweb's prototype check fixed
    expect(code).not.toContain('"querySelector",\n\t\t"querySelectorAll"\n\t],');
    expect(code.match(/Element: \["querySelector", "querySelectorAll"\]/g)!.length).toBe(original.match(/\tElement: \[\],\n/g)!.length);
    // pending nodes survive a partial emit; the sets are cleared only when nothing is pending
    expect(code).toMatch(/if \(this\.addedSet\.size\) \{\n\t+this\.movedSet = new Set\(\[\.\.\.this\.movedSet\]\.filter/);
    expect(code).not.toContain('\t\tthis.addedSet = /* @__PURE__ */ new Set();\n\t\tthis.movedSet');
    // nothing else changed: the original text is all there, only added to
    expect(code.length - original.length).toBeLessThan(4000);
    expect(map.sources).toEqual([rrwebEsm]);
    // still valid JavaScript (parsed as a module, not run)
    expect(() => new Function(code.replace(/^export \{[^}]*\};?$/m, '').replace(/^import .*$/gm, ''))).not.toThrow();
  });

  it('refuses another rrweb whose code it cannot find, naming the edit', () => {
    const changed = original.replace('\t\twhile (this.addedSet.size) {\n', '\t\twhile (this.addedSet.size > 0) {\n');
    expect(() => sliceRrwebMutations(changed)).toThrow(/cannot apply "the node loop stopping when the slice is over" \(not found\); is rrweb still 2\.2\.2\?/);
    const twice = original + '\nrecord.mirror = mirror;\n';
    expect(() => sliceRrwebMutations(twice)).toThrow(/found twice/);
  });
});
