module.exports = {
  displayName: 'manifests',
  preset: '../../jest.preset.js',
};
