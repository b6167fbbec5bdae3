"""DHCP option spaces as dhcpd 4.4 knows them: the standard tables and user definitions."""
