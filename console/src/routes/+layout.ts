// A client-side app: the host serves the static shell, data comes from tRPC in the browser.
export const ssr = false;
export const prerender = false;
