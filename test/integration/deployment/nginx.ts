// A real nginx in front of app instances, as a school's server would run it:
// started as a foreground child on a loopback port with every path (pid, logs,
// temporary files) in its own directory, so it needs no system service and
// leaves nothing behind. The proxy settings mirror deploy/nginx/site.conf:
// keep-alive to the upstreams, the forwarded headers the app trusts one hop
// of, and a retry on the other instance when one cannot answer.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, chmodSync, constants, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const NGINX_PATH = process.env.NGINX_PATH ?? '/usr/sbin/nginx';

/** True when the nginx binary is there and runs. */
export function nginxInstalled(): boolean {
  try {
    accessSync(NGINX_PATH, constants.X_OK);
  } catch {
    return false;
  }
  return spawnSync(NGINX_PATH, ['-v']).status === 0;
}

export interface Nginx {
  port: number;
  /** Lines of the access log: "status upstream_status upstream_addr request". */
  accessLog(): string[];
  /** nginx's own complaints (refused connections, retries, upstreams marked down). */
  errorLog(): string[];
  stop(): Promise<void>;
}

function lines(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

function config(dir: string, port: number, upstreams: number[]): string {
  const servers = upstreams.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=2s;`).join('\n');
  return `
# Run as whoever started it: a root master would hand the workers to "nobody".
${process.getuid?.() === 0 ? 'user root;' : ''}
worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 512; }
http {
  log_format upstreams '$status $upstream_status $upstream_addr "$request"';
  access_log ${dir}/access.log upstreams;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;

  upstream mathsoc {
${servers}
    keepalive 16;
  }
  server {
    listen 127.0.0.1:${port};
    client_max_body_size 20m;
    location / {
      proxy_pass http://mathsoc;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Host $host;
      proxy_next_upstream error timeout http_502 http_503;
      proxy_next_upstream_tries 2;
      proxy_connect_timeout 2s;
      proxy_read_timeout 30s;
    }
  }
}
`;
}

/** Starts nginx on `port` in front of the app instances listening on `upstreams`. */
export async function startNginx(dir: string, port: number, upstreams: number[]): Promise<Nginx> {
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o755);
  const file = join(dir, 'nginx.conf');
  writeFileSync(file, config(dir, port, upstreams));
  const check = spawnSync(NGINX_PATH, ['-t', '-q', '-p', dir, '-c', file], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`nginx refused its configuration: ${check.stderr}`);

  const child: ChildProcess = spawn(NGINX_PATH, ['-p', dir, '-c', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let errors = '';
  child.stderr!.on('data', (d) => (errors += String(d)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const end = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx stopped at start: ${errors}`);
    const ok = await fetch(`http://127.0.0.1:${port}/health`).then(
      () => true,
      () => false,
    );
    if (ok) break;
    if (Date.now() > end) throw new Error(`nginx did not answer on ${port}: ${errors}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port,
    accessLog: () => lines(join(dir, 'access.log')),
    errorLog: () => lines(join(dir, 'error.log')),
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGQUIT');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}
