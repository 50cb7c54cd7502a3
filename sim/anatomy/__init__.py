"""The hepatic arterial anatomy: named trunk, variants, procedural distal tree, tumours, beds."""
