import { render } from 'preact';
import { App } from './app';
import { registerServiceWorker } from './pwa';
import { interceptLinks } from './router';
import { startSync } from './sync/engine';
import './styles.css';

const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(<App />, root);
  interceptLinks(document.body);
  startSync();
  registerServiceWorker();
}
