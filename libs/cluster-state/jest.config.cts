module.exports = {
  displayName: 'cluster-state',
  preset: '../../jest.preset.js',
};
