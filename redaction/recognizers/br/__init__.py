"""Brasil: CPF and CNPJ."""
