/** uni-app entry: one Vue 3 SSR-style app factory, as uni-app's Vue 3 targets expect. */
import { createSSRApp } from 'vue';
import App from './App.vue';

export function createApp() {
  const app = createSSRApp(App);
  return { app };
}
