/**
 * The CLI's two channels: the result alone on stdout, so scripts can capture it
 * (`id=$(npm run -s host -- tenant create --name X)`), and every message for people on stderr.
 */
export function result(text: string): void {
  process.stdout.write(`${text}\n`);
}

export function info(text: string): void {
  process.stderr.write(`${text}\n`);
}
