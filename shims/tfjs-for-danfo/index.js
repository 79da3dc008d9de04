// danfojs-node requires "@tensorflow/tfjs-node", whose install downloads libtensorflow.
// Tables need no native ops, so danfo gets the pure-JS tfjs that nasbook already loads.
module.exports = require("@tensorflow/tfjs");
