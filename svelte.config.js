// Svelte compiler options shared by electron-vite, svelte-check and eslint.
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

export default {
  preprocess: vitePreprocess(),
};
