/** Renderer entry: pick the lab bridge (preload or WebSocket), install Pinia and i18n, mount. */
import { createApp } from 'vue';
import { createPinia } from 'pinia';
import App from './App.vue';
import { i18n } from './i18n';
import { provideLabApi } from './api/inject';
import { getLabApi } from './api/lab';
import './styles/theme.css';

const app = createApp(App);
provideLabApi(app, getLabApi());
app.use(createPinia());
app.use(i18n);
app.mount('#app');
