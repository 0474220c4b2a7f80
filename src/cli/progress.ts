/** A one-line progress bar on stderr when it is a terminal; silent otherwise (pipes, CI, tests). */
export function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr): (done: number, total: number) => void {
  if (!stream.isTTY) return () => undefined;
  const start = Date.now();
  let last = 0;
  return (done, total) => {
    const now = Date.now();
    if (done < total && now - last < 100) return;
    last = now;
    const width = 30;
    const frac = total ? done / total : 1;
    const bar = '#'.repeat(Math.round(frac * width)).padEnd(width, '-');
    const secs = ((now - start) / 1000).toFixed(1);
    stream.write(`\r${label} [${bar}] ${done}/${total} ${secs}s`);
    if (done >= total) stream.write('\n');
  };
}
