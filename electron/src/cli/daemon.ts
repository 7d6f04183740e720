export { main } from './vm/daemon.js';
