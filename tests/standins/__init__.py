"""Local stand-ins for external SaaS, replaced only at the wire (real HTTP on loopback)."""
