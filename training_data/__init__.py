"""training_data"""
