// A login flood from its own process (an attacker is another machine, not the server's event
// loop). argv[2] is a JSON job {url, attempts: [{email, password, ip}]} — or {url, control: N} for
// N plain `GET /healthz` (what merely receiving N requests costs this machine right now). Fires
// them all at once; prints "started", then one JSON line {statuses, ms}.
const job = JSON.parse(process.argv[2]);
process.stdout.write('started\n');
const started = performance.now();
const requests = job.control
  ? Array.from({ length: job.control }, () => [`${job.url}/healthz`, {}])
  : job.attempts.map((a) => [
      `${job.url}/trpc/auth.login`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': a.ip },
        body: JSON.stringify({ email: a.email, password: a.password }),
      },
    ]);
const statuses = await Promise.all(
  requests.map(async ([url, init]) => {
    try {
      const response = await fetch(url, init);
      await response.arrayBuffer();
      return response.status;
    } catch {
      return 0;
    }
  }),
);
process.stdout.write(`${JSON.stringify({ statuses, ms: performance.now() - started })}\n`);
