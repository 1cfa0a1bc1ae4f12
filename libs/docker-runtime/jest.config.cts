module.exports = {
  displayName: 'docker-runtime',
  preset: '../../jest.preset.js',
};
