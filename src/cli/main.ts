/** Entry point of the `fixover` command line. Returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  console.log(`fixover: ${argv.join(' ')}`);
  return 0;
}
