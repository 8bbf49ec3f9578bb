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
    typescript: {
      // svelte-check covers the app (src/); the browser tests in test/ run on Node against a real
      // host and are type-checked by `tsc -b` through test/tsconfig.json.
      config(tsconfig) {
        tsconfig.include = tsconfig.include.filter((path) => !/^\.\.\/tests?\//.test(path));
      },
    },
  },
};

export default config;
