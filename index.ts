// The arrakis stack: reads config, builds the app from components, exports outputs.
// (Filled in by the stack issue; until then the main job is the emulator: `npm run emulator`.)
export {};
