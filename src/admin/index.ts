export { adminModule } from './module.js';
export { adminApiRouter, BREAKERS_PATH, DEAD_LETTERS_PATH } from './api.js';
export {
  deadLetterSources,
  RouteDeadLetters,
  type DeadLetterFilter,
  type DeadLetterSource,
  type DeadLetterView,
  type RedriveOptions,
  type RedriveReport,
} from './route-dead-letters.js';
