/**
 * The loopback endpoints behind each web service's `url` (`<origin>/_services/<slug>/...`): any path
 * under it, including the health check path, answers like the running app would.
 * - A service is reachable only while it has a `live` deploy and is not suspended; otherwise 503
 *   (what a platform's edge answers when no instance serves the app).
 * - Healthy: 200 (or the status set through the control API). Unhealthy: the set status, default 503.
 * - `delayMs` delays every answer (a slow app).
 * - Only a web service has a public URL: a private service, worker or cron job is 404 here.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { EmulatorCore } from "../core";
import { hasPublicUrl, isReachable } from "../routes/services";

/** Answers one request to a service URL; `rest` is the path after `/_services/`. */
export async function handleServiceRequest(
  core: EmulatorCore,
  req: IncomingMessage,
  res: ServerResponse,
  rest: string,
): Promise<void> {
  const [slug, ...pathParts] = rest.split("/");
  const path = `/${pathParts.join("/")}`;
  const service = [...core.state.services.values()].find((s) => s.slug === slug && hasPublicUrl(s.type));
  if (!service) return answer(res, 404, { message: `no service at ${slug}` });
  if (!isReachable(core, service)) {
    return answer(res, 503, {
      message: service.suspended ? "service suspended" : "service has no live deploy",
    });
  }
  const { healthy, status, delayMs } = service.health;
  if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
  const code = healthy ? (status ?? 200) : (status ?? 503);
  answer(res, code, { service: service.slug, path, method: req.method, healthy }, req.method === "HEAD");
}

/**
 * Answers JSON. A status that carries no body (1xx, 204, 304) or a HEAD request gets headers only:
 * a body there breaks HTTP/1.1 framing, and a keep-alive client (undici) waits on it forever.
 */
function answer(res: ServerResponse, status: number, body: unknown, head = false): void {
  if (res.destroyed) return;
  if (status < 200 || status === 204 || status === 304) {
    res.writeHead(status);
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  if (head) {
    res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
    res.end();
    return;
  }
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}
