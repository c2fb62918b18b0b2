import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IngestEvent, IngestPush, type ActiveInteractionNotice, type CtiNotice, type PauseNotice } from '@duet/protocol';
import { createIntegrationToken, createRecorderToken, revokeIntegrationToken } from '../../core/src/index.js';
import { startTestServer, type TestServer } from '../harness/app.js';
import { connectRecorder, sendReliably } from '../harness/recorder-client.js';

/** Collects what the server pushes to a recorder connection. */
function pushes(socket: Socket) {
  const got = { active: [] as ActiveInteractionNotice[], cti: [] as CtiNotice[], pause: [] as PauseNotice[] };
  socket.on(IngestPush.active, (n: ActiveInteractionNotice) => got.active.push(n));
  socket.on(IngestPush.cti, (n: CtiNotice) => got.cti.push(n));
  socket.on(IngestPush.pause, (n: PauseNotice) => got.pause.push(n));
  return got;
}
const until = async (what: string, ok: () => boolean, ms = 5000) => {
  for (const end = Date.now() + ms; !ok(); await new Promise((r) => setTimeout(r, 20))) if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
};

describe('CTI events and the agent room: a phone system starts and stops the agent’s recorders; tabs learn the active interaction', () => {
  let server: TestServer;
  let cti: string;
  let importOnly: string;
  let alexToken: string;
  let caseyToken: string;
  const sockets: Socket[] = [];

  const post = (body: unknown, token: string | null = cti) =>
    fetch(`${server.url}/api/cti/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as { delivered: number; message: string; error: string } }));

  beforeAll(async () => {
    server = await startTestServer();
    const db = server.core.db;
    cti = (await createIntegrationToken(db, 'pbx cti', ['cti'], { id: null })).token;
    importOnly = (await createIntegrationToken(db, 'pbx import', ['import'], { id: null })).token;
    const id = async (u: string) => (await db.selectFrom('users').select('id').where('username', '=', u).executeTakeFirstOrThrow()).id;
    alexToken = (await createRecorderToken(db, await id('alex'), 'cti tab 1', { id: null })).token;
    caseyToken = (await createRecorderToken(db, await id('casey'), 'cti casey', { id: null })).token;
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await server?.stop();
  });

  it('delivers call-started and call-ended to every recorder connection of that agent only, and audits them', async () => {
    const tab1 = await connectRecorder(server.url, alexToken, { tabId: 'softphone' });
    const tab2 = await connectRecorder(server.url, alexToken, { tabId: 'crm' });
    const other = await connectRecorder(server.url, caseyToken, { tabId: 'softphone' });
    sockets.push(tab1, tab2, other);
    const [p1, p2, po] = [pushes(tab1), pushes(tab2), pushes(other)];
    const started = await post({ event: 'call-started', agent: 'alex', callId: 'PBX-7', direction: 'inbound', customerNumber: '+1 555 0100' });
    expect(started).toEqual({ status: 202, body: { delivered: 2, message: expect.stringMatching(/2 recorder connection/) } });
    await until('both tabs to hear the call', () => p1.cti.length === 1 && p2.cti.length === 1);
    expect(p1.cti[0]).toEqual({ event: 'call-started', callId: 'PBX-7', direction: 'inbound' }); // no customer number in the browser
    expect((await post({ event: 'call-ended', agent: 'alex', callId: 'PBX-7' })).body.delivered).toBe(2);
    await until('the end', () => p1.cti.length === 2);
    await new Promise((r) => setTimeout(r, 200));
    expect(po.cti).toEqual([]);
    const audits = await server.core.db.selectFrom('audit_log').select(['action', 'detail']).where('action', 'like', 'cti.%').orderBy('id').execute();
    expect(audits.map((a) => a.action)).toEqual(['cti.call-started', 'cti.call-ended']);
    expect(audits[0]!.detail).toMatchObject({ callId: 'PBX-7', customerNumber: '+1 555 0100', delivered: 2 });
  });

  it('says when no recorder of the agent is connected', async () => {
    expect(await post({ event: 'call-started', agent: 'devon', callId: 'PBX-8' })).toEqual({ status: 202, body: { delivered: 0, message: expect.stringMatching(/No recorder of this agent is connected/) } });
  });

  it('refuses callers and events it cannot act on, with the reason', async () => {
    const ok = { event: 'call-started', agent: 'alex', callId: 'PBX-9' };
    expect(await post(ok, null)).toMatchObject({ status: 401, body: { message: expect.stringMatching(/Bearer <integration token>/) } });
    expect(await post(ok, 'duet_it_forged')).toMatchObject({ status: 401, body: { message: expect.stringMatching(/unknown integration token/) } });
    expect(await post(ok, importOnly)).toMatchObject({ status: 403, body: { message: expect.stringMatching(/lacks the "cti" scope/) } });
    expect(await post(ok, alexToken)).toMatchObject({ status: 401 }); // a recorder token is not an integration token
    expect(await post({ ...ok, agent: 'nobody' })).toMatchObject({ status: 400, body: { message: expect.stringMatching(/no agent has the username or id "nobody"/) } });
    expect(await post({ ...ok, agent: 'sofia' })).toMatchObject({ status: 400 }); // a supervisor, not an agent
    expect(await post({ ...ok, event: 'call-exploded' })).toMatchObject({ status: 400, body: { message: expect.stringMatching(/event/) } });
    expect(await post({ ...ok, callId: 'x'.repeat(200) })).toMatchObject({ status: 400, body: { message: expect.stringMatching(/callId/) } });
    const revoked = await createIntegrationToken(server.core.db, 'to revoke', ['cti'], { id: null });
    await revokeIntegrationToken(server.core.db, revoked.id, { id: null });
    expect(await post(ok, revoked.token)).toMatchObject({ status: 401, body: { message: expect.stringMatching(/revoked/) } });
    const audits = await server.core.db.selectFrom('audit_log').select('id').where('action', '=', 'cti.call-started').where('detail', '@>', JSON.stringify({ callId: 'PBX-9' }) as never).execute();
    expect(audits).toEqual([]);
  });

  it('tells every tab of the agent which interaction is being recorded: at connect, when one opens and when it ends', async () => {
    const phone = await connectRecorder(server.url, alexToken, { tabId: 'phone2' });
    sockets.push(phone);
    const seen = pushes(phone);
    const id = randomUUID();
    expect(await sendReliably(phone, IngestEvent.open, { interactionId: id, callId: 'ROOM-1', startedAt: Date.now() })).toMatchObject({ ok: true });
    await until('the open announced', () => seen.active.some((n) => n?.interactionId === id));
    // A tab that connects now learns it at once.
    let late!: ReturnType<typeof pushes>;
    const crm = await connectRecorder(server.url, alexToken, { tabId: 'crm2', beforeConnect: (s) => (late = pushes(s)) });
    sockets.push(crm);
    await until('the late tab told', () => late.active.length > 0);
    expect(late.active[0]).toMatchObject({ interactionId: id, callId: 'ROOM-1' });
    // A tab's PCI pause reaches the others, naming which tabs are paused (the audio tab pauses too).
    const at = Date.now();
    expect(await sendReliably(crm, IngestEvent.marker, { interactionId: id, kind: 'pause', at, reason: 'sensitive-field', stream: 'screen:crm2' })).toEqual({ ok: true });
    await until('the pause relayed', () => seen.pause.length === 1);
    expect(seen.pause[0]).toEqual({ interactionId: id, paused: true, streams: ['screen:crm2'] });
    expect(await sendReliably(crm, IngestEvent.marker, { interactionId: id, kind: 'resume', at: at + 500, stream: 'screen:crm2' })).toEqual({ ok: true });
    await until('the resume relayed', () => seen.pause.length === 2);
    expect(seen.pause[1]).toEqual({ interactionId: id, paused: false, streams: [] });
    expect(await sendReliably(phone, IngestEvent.end, { interactionId: id, at: Date.now() })).toEqual({ ok: true });
    await until('the end announced', () => late.active.at(-1) === null);
    // Another agent heard nothing of it.
    let c!: ReturnType<typeof pushes>;
    const casey = await connectRecorder(server.url, caseyToken, { tabId: 'x', beforeConnect: (s) => (c = pushes(s)) });
    sockets.push(casey);
    await until('casey told', () => c.active.length > 0);
    expect(c.active).toEqual([null]);
  });
});
