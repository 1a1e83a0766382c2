export { createConsole, type ConsoleOptions } from "./create-console.js";
