module.exports = {
  displayName: 'api-read-models',
  preset: '../../jest.preset.js',
};
