"""What the hub and a node share to speak to each other, and nothing else: keys and signatures (`keys`), the
batch wire format and its negotiation (`wire`), and the signed bundle file (`bundle`). Both sides import it;
it imports neither (import-linter, pyproject.toml).
"""
