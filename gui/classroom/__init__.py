"""The classroom in the editor: exercises a student answers and a teacher makes."""
