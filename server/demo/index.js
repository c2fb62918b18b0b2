import { requireAgent, signIn } from './demo.js';

const form = document.getElementById('signin-form');
const error = document.getElementById('signin-error');
form.addEventListener('submit', async (e) => {
  e.preventDefault();
  error.textContent = '';
  const data = new FormData(form);
  try {
    await signIn(String(data.get('username')), String(data.get('password')));
    await requireAgent();
  } catch (err) {
    error.textContent = err.message;
  }
});
void requireAgent();
