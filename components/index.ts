// Public barrel of the Render components.
export {};
