/** Pieces shared by the router's own JSON APIs (admin, async engine): how an operation runs and answers. */
import type { NextFunction, Request, Response } from 'express';
import { HttpRequestError } from '../errors/index.js';

/**
 * An express handler for one API operation: its answers describe live state, so they are never cached,
 * and a rejection goes to the API's error middleware (JSON body with the status).
 */
export function apiOperation(work: (request: Request, response: Response) => Promise<void>) {
  return (request: Request, response: Response, next: NextFunction): void => {
    response.set('Cache-Control', 'no-store');
    work(request, response).catch(next);
  };
}

/** The service an API serves from, or 503 NOT_STARTED while the router is not running it. */
export function runningService<T>(current: () => T | undefined, notRunning: string): () => T {
  return () => {
    const service = current();
    if (!service) throw new HttpRequestError(503, 'NOT_STARTED', notRunning);
    return service;
  };
}
