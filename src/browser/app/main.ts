/** Entry of the `isf serve` page bundle. */
import { App } from './app.ts';

const app = new App(document.body);
// For the console and the browser tests: window.isfPage.state(), .scene, .context.
(globalThis as { isfPage?: App }).isfPage = app;
app.start().catch((e: unknown) => {
  document.body.append(`isf serve: ${(e as Error)?.stack ?? String(e)}`);
});
