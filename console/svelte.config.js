import adapter from '@sveltejs/adapter-static';

/**
 * A client-side app: built to static files (console/build) that the host serves at `/`,
 * with `index.html` as the SPA fallback for every client route.
 * @type {import('@sveltejs/kit').Config}
 */
const config = {
  kit: {
    adapter: adapter({ pages: 'build', assets: 'build', fallback: 'index.html', strict: false }),
    alias: { $components: 'src/lib/components' },
  },
};

export default config;
