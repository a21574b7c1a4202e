// The jest example. membench is ESM, so jest runs with node --experimental-vm-modules and no transform.
export default {
  testMatch: ['<rootDir>/*.test.mjs'],
  setupFilesAfterEnv: ['<rootDir>/setup.mjs'],
  transform: {},
};
