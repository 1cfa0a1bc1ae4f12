module.exports = {
  displayName: 'autoscaler',
  preset: '../../jest.preset.js',
};
