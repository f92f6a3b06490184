import express, { type Router } from 'express';
import type { RouterServices } from '../runtime/services.js';
import { readiness } from '../runtime/readiness.js';

/** `/health/live` (the process answers) and `/health/ready` (200 when every readiness check passes, else 503). */
export function healthRouter(services: RouterServices): Router {
  const router = express.Router();
  router.get('/health/live', (_request, response) => {
    response.set('Cache-Control', 'no-store').json({ status: 'UP' });
  });
  router.get('/health/ready', async (_request, response) => {
    const { ready, checks } = await readiness(services);
    response
      .status(ready ? 200 : 503)
      .set('Cache-Control', 'no-store')
      .json({ status: ready ? 'UP' : 'DOWN', checks });
  });
  return router;
}
