import { recorderToken, requireAgent } from './demo.js';

const $ = (id) => document.getElementById(id);
const voice = $('customer-voice');
let recorder = null;
let started = 0;
let tick = null;
let paused = false;

function show(status, caller, live = false) {
  $('call-status').textContent = status;
  $('call-status').className = `status ${live ? 'live' : ''}`;
  $('caller').textContent = caller;
}

async function setUp() {
  const user = await requireAgent();
  if (!user) return;
  // The customer's side of the call: the demo plays a recorded voice, as a softphone plays the
  // remote WebRTC track; the recorder takes it as a MediaStream for the right channel.
  recorder = new DuetRecorder.Recorder({ serverUrl: location.origin, token: await recorderToken(user), tabId: 'softphone', customer: () => voice.captureStream() });
  recorder.on('error', (e) => ($('error').textContent = `${e.error}: ${e.message}`));
  recorder.on('warning', (w) => ($('error').textContent = w));
  await recorder.restore();
}

$('ring').addEventListener('click', () => {
  show('Incoming call', 'Jordan Lee · +1 555 0100');
  $('answer').disabled = false;
  $('ring').disabled = true;
});

$('answer').addEventListener('click', async () => {
  $('answer').disabled = true;
  $('error').textContent = '';
  try {
    voice.currentTime = 0;
    await voice.play();
    const id = await recorder.start({ callId: `demo-${Date.now()}`, direction: 'inbound', customer: voice.captureStream() });
    started = Date.now();
    tick = setInterval(() => {
      const s = Math.floor((Date.now() - started) / 1000);
      $('timer').textContent = `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
    }, 250);
    show('On call · recording', `Jordan Lee · +1 555 0100 · interaction ${id.slice(0, 8)}`, true);
    $('hangup').disabled = false;
    $('mute').disabled = false;
  } catch (err) {
    $('error').textContent = err.message;
    $('ring').disabled = false;
  }
});

$('mute').addEventListener('click', () => {
  paused = !paused;
  if (paused) recorder.pause();
  else recorder.resume();
  $('mute').textContent = paused ? 'Resume recording' : 'Pause recording';
});

$('hangup').addEventListener('click', async () => {
  voice.pause();
  clearInterval(tick);
  const id = recorder.interactionId;
  await recorder.stop();
  show('Call ended', 'Duet is preparing the replay.');
  $('last').innerHTML = `Interaction <code>${id}</code>: open <a href="/" target="_blank">Duet</a> to replay it.`;
  $('hangup').disabled = true;
  $('mute').disabled = true;
  $('ring').disabled = false;
  paused = false;
  $('mute').textContent = 'Pause recording';
});

void setUp();
