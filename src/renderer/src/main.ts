// Renderer entry: picks the transport (Electron IPC or HTTP) and mounts the app.
import { mount } from 'svelte';
import App from './App.svelte';
import { createClient, pickBridge } from './lib/client';
import './app.css';

const client = createClient(pickBridge());
mount(App, { target: document.getElementById('app')!, props: { client } });
