"""Distribution: recipient lists, stamped copies, manifests and delivery by e-mail."""
