/**
 * A Kafka broker of a test's own, for tests that stop and restart the broker (an outage) without
 * touching the shared one other suites use. It runs the Apache Kafka distribution that
 * `scripts/infra` installed under `.infra/kafka` (one KRaft broker+controller on the JVM, as in
 * scripts/infra/lib/kafka.sh) with its own free ports, its own cluster id and its own data
 * directory in a temporary folder. `stop()` kills it (SIGKILL by default: a crash) and `start()`
 * brings it back on the same ports and data; `close()` stops it and removes the folder. A
 * watchdog kills the JVM if the test process dies without closing it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeServicePort } from './ports';
import { findRepositoryRoot } from '../infrastructure/local';

export interface PrivateKafkaOptions {
  /** The installed distribution (a folder with `libs/`); default `$INFRA_HOME/kafka` or `<repo>/.infra/kafka`. */
  kafkaHome?: string;
  /** Maximum JVM heap; default 256m. */
  heap?: string;
  /** How long a start may take; default 90 s. */
  startTimeoutMs?: number;
}

export interface PrivateKafka {
  /** `127.0.0.1:<port>`: the KAFKA_BROKERS of whatever should use it. */
  readonly brokers: string;
  readonly port: number;
  readonly dataDir: string;
  readonly running: boolean;
  /** Stops the broker and waits for the JVM to exit (SIGKILL: a crash; SIGTERM: a clean stop). */
  stop(signal?: 'SIGKILL' | 'SIGTERM'): Promise<void>;
  /** Starts it again on the same ports and data; resolves once it serves. */
  start(): Promise<void>;
  /** Stops it (SIGKILL) and removes its folder. Safe to call twice. */
  close(): Promise<void>;
  /** What the broker printed (all its runs). */
  logs(): string;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, '127.0.0.1', () => done(true));
  });
}

function kafkaHomeOf(options: PrivateKafkaOptions): string {
  if (options.kafkaHome) return options.kafkaHome;
  const infraHome = process.env.INFRA_HOME ?? join(findRepositoryRoot(), '.infra');
  return join(infraHome, 'kafka');
}

/** A KRaft cluster id: 16 random bytes, base64url without padding (Kafka's Uuid text form). */
/**
 * A cluster id (a UUID in base64url) that the storage tool's argument parser cannot take for an
 * option: one starting with `-` (1 in 64) made `format -t` fail "expected one argument".
 */
function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

export async function startPrivateKafka(options: PrivateKafkaOptions = {}): Promise<PrivateKafka> {
  const home = kafkaHomeOf(options);
  if (!existsSync(join(home, 'libs'))) {
    throw new Error(
      `no Kafka distribution in ${home}/libs: install it with scripts/infra/infra up kafka (or pass kafkaHome)`,
    );
  }
  const startTimeoutMs = options.startTimeoutMs ?? 90_000;
  const dir = mkdtempSync(join(tmpdir(), 'private-kafka-'));
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  const [port, controllerPort] = [await freeServicePort(), await freeServicePort()];
  const config = join(dir, 'server.properties');
  writeFileSync(
    config,
    [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
      `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
      'controller.listener.names=CONTROLLER',
      'inter.broker.listener.name=PLAINTEXT',
      'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      `log.dirs=${dataDir}`,
      'num.partitions=3',
      'auto.create.topics.enable=true',
      'offsets.topic.replication.factor=1',
      'offsets.topic.num.partitions=3',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'group.initial.rebalance.delay.ms=0',
      'log.retention.hours=1',
      '',
    ].join('\n'),
  );
  const log4j = join(dir, 'log4j.properties');
  writeFileSync(
    log4j,
    [
      'log4j.rootLogger=INFO, stdout',
      'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
      'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
      'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
      'log4j.logger.kafka=INFO',
      'log4j.logger.org.apache.kafka=WARN',
      'log4j.logger.state.change.logger=WARN',
      'log4j.logger.kafka.controller=WARN',
      'log4j.logger.kafka.log.LogCleaner=WARN',
      '',
    ].join('\n'),
  );
  const jvm = [
    '-Xms64m',
    `-Xmx${options.heap ?? '256m'}`,
    '-XX:+UseSerialGC',
    '-XX:TieredStopAtLevel=1',
    '-Djava.awt.headless=true',
    `-Dlog4j.configuration=file:${log4j}`,
    '-cp',
    `${join(home, 'libs')}/*`,
  ];
  const output: string[] = [];
  let child: ChildProcess | null = null;
  let watchdog: ChildProcess | null = null;
  let closed = false;

  // The storage format step (once: `start()` again reuses the data).
  await new Promise<void>((resolve, reject) => {
    const format = spawn(
      'java',
      [...jvm, 'kafka.tools.StorageTool', 'format', '-t', clusterId(), '-c', config],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const said: string[] = [];
    format.stdout?.on('data', (c: Buffer) => said.push(c.toString()));
    format.stderr?.on('data', (c: Buffer) => said.push(c.toString()));
    format.once('error', reject);
    format.once('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`kafka storage format failed (exit ${code}): ${said.join('')}`)),
    );
  }).catch((error: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  });

  const killNow = () => child?.kill('SIGKILL');

  const start = async (): Promise<void> => {
    if (closed) throw new Error('this private Kafka is closed');
    if (child) return;
    const marker = output.length;
    const jvmProcess = spawn('java', [...jvm, 'kafka.Kafka', config], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = jvmProcess;
    jvmProcess.stdout?.on('data', (c: Buffer) => output.push(c.toString()));
    jvmProcess.stderr?.on('data', (c: Buffer) => output.push(c.toString()));
    jvmProcess.once('exit', () => {
      if (child === jvmProcess) child = null;
    });
    // Kills the JVM if this process goes away without closing it (a crashed jest worker).
    watchdog = spawn(
      'sh',
      [
        '-c',
        'while kill -0 "$0" 2>/dev/null && kill -0 "$1" 2>/dev/null; do sleep 1; done; kill -9 "$1" 2>/dev/null',
        String(process.pid),
        String(jvmProcess.pid),
      ],
      { stdio: 'ignore' },
    );
    watchdog.unref();
    const deadline = Date.now() + startTimeoutMs;
    for (;;) {
      const since = output.slice(marker).join('');
      if (since.includes('Kafka Server started') && (await portOpen(port))) return;
      if (jvmProcess.exitCode !== null || jvmProcess.signalCode !== null || Date.now() > deadline) {
        jvmProcess.kill('SIGKILL');
        throw new Error(`private Kafka did not start on 127.0.0.1:${port}:\n${since.slice(-3000)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };

  const stop = async (signal: 'SIGKILL' | 'SIGTERM' = 'SIGKILL'): Promise<void> => {
    const running = child;
    if (!running) return;
    await new Promise<void>((resolve) => {
      if (running.exitCode !== null || running.signalCode !== null) return resolve();
      const timer = setTimeout(() => running.kill('SIGKILL'), 30_000);
      running.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      running.kill(signal);
    });
    child = null;
  };

  process.once('exit', killNow);
  try {
    await start();
  } catch (error) {
    process.removeListener('exit', killNow);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  return {
    brokers: `127.0.0.1:${port}`,
    port,
    dataDir,
    get running() {
      return child !== null;
    },
    stop,
    start,
    async close() {
      if (closed) return;
      closed = true;
      await stop('SIGKILL');
      watchdog?.kill('SIGKILL');
      process.removeListener('exit', killNow);
      rmSync(dir, { recursive: true, force: true });
    },
    logs: () => output.join(''),
  };
}
