import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

// `npm run dev -w @mch/console`: the console on Vite, the API on a host running at :3000
// (HOST_URL overrides), so cookies and URLs stay same-origin as in production.
const hostUrl = process.env.HOST_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  plugins: [sveltekit()],
  // The workspace root hoists `cookie` 2 (for the host); SvelteKit's server output needs its own
  // 0.6, so bundle it instead of resolving it from the root at build time.
  ssr: { noExternal: ['cookie'] },
  server: {
    proxy: {
      '/trpc': { target: hostUrl, changeOrigin: false },
      '/api': { target: hostUrl, changeOrigin: false },
    },
  },
});
