export function composeGreeting(name: string): Promise<string> {
  return Promise.resolve(`Hello, ${name}! from worker pid ${process.pid}`);
}
