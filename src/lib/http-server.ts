// Stopping a node:http server for good: close() alone waits for idle keep-alive connections to time out.
import type { Server } from 'node:http';

/** Stops accepting, drops every open connection, and resolves once the server is closed. */
export function closeHttpServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
