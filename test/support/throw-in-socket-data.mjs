// Loaded with `node --import` into a spawned CLI: the Nth socket 'data' event throws inside the socket's own
// event dispatch, mid-run, as a throw inside a library's event handler does (cassandra-driver's stream-id
// bookkeeping once did): no await of the tool's sees it. N is THROW_AT_DATA_EVENT.
import net from 'node:net';

const throwAt = Number(process.env.THROW_AT_DATA_EVENT);
const emit = net.Socket.prototype.emit;
let dataEvents = 0;
net.Socket.prototype.emit = function (event, ...args) {
  if (event === 'data' && ++dataEvents === throwAt) throw new TypeError('thrown inside a socket data handler');
  return emit.call(this, event, ...args);
};
