export function revealSecret(secret: string): Promise<string> {
  return Promise.resolve(`activity saw ${secret}`);
}
