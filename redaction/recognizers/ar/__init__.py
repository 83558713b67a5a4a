"""Argentina: DNI, CUIT/CUIL, CBU/CVU and alias CBU."""
