import { describe, expect, it } from 'vitest';
import { publishedPorts } from './engine-events.js';

describe('publishedPorts', () => {
  it('reads TCP and UDP host ports from a container summary as the engine lists it', () => {
    // `docker run -p 127.0.0.1:5353:53/udp -p 8080:80 --expose 9000 -p 3868:3868/sctp`, as GET /containers/json shows it.
    const ports = publishedPorts({
      Id: 'c1',
      Ports: [
        { IP: '127.0.0.1', PrivatePort: 53, PublicPort: 5353, Type: 'udp' },
        { IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
        { IP: '::', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
        { PrivatePort: 9000, Type: 'tcp' },
        { IP: '0.0.0.0', PrivatePort: 3868, PublicPort: 3868, Type: 'sctp' },
      ],
    });
    expect(ports).toEqual([
      { proto: 'udp', hostIp: '127.0.0.1', hostPort: 5353 },
      { proto: 'tcp', hostIp: '0.0.0.0', hostPort: 8080 },
      { proto: 'tcp', hostIp: '::', hostPort: 8080 },
    ]);
  });

  it('takes a missing IP for every address, and a container without ports for none', () => {
    expect(publishedPorts({ Id: 'c2', Ports: [{ PrivatePort: 27015, PublicPort: 27015, Type: 'udp' }] })).toEqual([{ proto: 'udp', hostIp: '0.0.0.0', hostPort: 27015 }]);
    expect(publishedPorts({ Id: 'c3' })).toEqual([]);
  });
});
