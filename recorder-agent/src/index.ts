/**
 * The Duet recorder agent: the browser library that captures an agent's screen (rrweb) and call
 * audio and sends them to Duet's ingest. It is built in the recorder issue; until then this
 * package only pins the wire protocol version it will speak.
 */
export { PROTOCOL_VERSION } from '@duet/protocol';
